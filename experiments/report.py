"""`python -m experiments.report`: the command; the code is experiments.workshop.report."""

from experiments.workshop.report import main

if __name__ == "__main__":
    main()
