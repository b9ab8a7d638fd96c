"""The `flopledger` command: main() in flows/cli/main.py, one module per subcommand."""
