"""Time imports: CSV exports of Upwork, Toggl Track and Clockify, and the Upwork
GraphQL API (`csv_formats`, `importer`, `upwork_api`, `reconcile`)."""
