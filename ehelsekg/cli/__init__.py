"""The command line: ``ehelsekg`` and its subcommands, and how their answers read as text."""
