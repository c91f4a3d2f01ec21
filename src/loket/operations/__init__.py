"""Running Loket in production (issue 13): the health endpoint for the proxy and a monitor, and
the backup and restore of the database and the documents."""
