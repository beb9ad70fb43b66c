"""`python -m experiments.history`: the command; the code is experiments.analyses.history."""

from experiments.analyses.history import main

if __name__ == "__main__":
    main()
