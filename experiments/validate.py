"""`python -m experiments.validate`: the command; the code is experiments.analyses.validate."""

from experiments.analyses.validate import main

if __name__ == "__main__":
    main()
