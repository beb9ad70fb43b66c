"""`python -m experiments.app`: the command; the code is experiments.workshop.app."""

from experiments.workshop.app import Page, main  # noqa: F401  (solara serves experiments.app's Page)

if __name__ == "__main__":
    main()
