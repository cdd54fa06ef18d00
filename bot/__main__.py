"""`python -m bot` runs the nabovagt command line."""

from bot.app.cli import main

main()
