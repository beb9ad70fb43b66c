"""`python -m experiments.sensitivity`: the command; the code is experiments.analyses.sensitivity."""

from experiments.analyses.sensitivity import main

if __name__ == "__main__":
    main()
