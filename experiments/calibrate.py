"""`python -m experiments.calibrate`: the command; the code is experiments.analyses.calibrate."""

from experiments.analyses.calibrate import main

if __name__ == "__main__":
    main()
