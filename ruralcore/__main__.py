from ruralcore.cli import run

run()
