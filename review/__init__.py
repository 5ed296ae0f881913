"""Review: the staff web app where people correct, approve and account for every record."""
