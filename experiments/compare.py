"""`python -m experiments.compare`: the command; the code is experiments.runs.compare."""

from experiments.runs.compare import main

if __name__ == "__main__":
    main()
