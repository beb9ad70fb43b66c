"""`python -m experiments.run`: the command; the code is experiments.runs.run."""

from experiments.runs.run import main

if __name__ == "__main__":
    main()
