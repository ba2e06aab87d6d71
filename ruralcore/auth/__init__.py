"""Who is acting and where: accounts and sessions, sign-in (OIDC), the page registry with its
roles, and scope (the regions a principal reads and writes), checked again by the store."""
