"""`python -m experiments.figures`: the command; the code is experiments.workshop.figures."""

from experiments.workshop.figures import main

if __name__ == "__main__":
    main()
