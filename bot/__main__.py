"""`python -m bot` runs the nabovagt command line."""

from bot.cli import main

main()
