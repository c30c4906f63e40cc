"""`python -m slakeeper`: the same command line as the `slakeeper` script."""

from slakeeper.cli import main

if __name__ == "__main__":
    main(prog_name="slakeeper")
