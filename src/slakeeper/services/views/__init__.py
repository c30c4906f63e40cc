"""Read models: what the services return and every door shows.

The API answers with these models (they are its response schemas, so OpenAPI
lists their fields and values), the CLI's `--json` prints the same models
(`cli.output.echo_json`), and the web pages render them. A read model is built
once, in the service that returns it, from rows it has already loaded; it
never holds a session and never runs a query.

One module per sub-domain; this package imports nothing of the services.
"""
