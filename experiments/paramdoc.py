"""`python -m experiments.paramdoc`: the command; the code is experiments.analyses.paramdoc."""

from experiments.analyses.paramdoc import main

if __name__ == "__main__":
    main()
