"""The one error type the CLI turns into a single line on stderr and a non-zero exit."""


class CliError(Exception):
    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code
