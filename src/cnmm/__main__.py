"""Allow `python -m cnmm`."""

from cnmm.cli.entry import main

if __name__ == "__main__":
    main()
