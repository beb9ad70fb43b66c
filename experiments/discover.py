"""`python -m experiments.discover`: the command; the code is experiments.analyses.discover."""

from experiments.analyses.discover import main

if __name__ == "__main__":
    main()
