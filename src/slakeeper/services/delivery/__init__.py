"""Delivery: milestones (`milestones`) and their derived state
(`milestone_state`), client and provider obligations (`obligations`), schedule
adjustments (`adjustments`), change requests (`change_requests`) and
commitments with a cadence (`commitments`)."""
