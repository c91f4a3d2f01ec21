"""Client addresses and throttles: what keeps guessing and flooding slow (docs/operations.md,
"Client addresses and throttles").

- `address`: the one client address of a request (`client_address`), taken from
  `X-Forwarded-For` only through `LOKET_TRUSTED_PROXIES` trusted proxies; the middleware puts it
  in `REMOTE_ADDR` so every reader of the address sees the same one.
- `limits`: counting attempts in the database (`Hit` rows, many processes share them) per keyed
  hash of a client address or session, atomically: the attempt is written first, then counted,
  under a per-key lock.
- `middleware`: the public look-ups and submits of the portal and the API, answering 429 with
  `Retry-After`.
- `signin`: the limit on sign-ins (the staff console through `backends`, the account sign-in
  through `loket.directory.services`), counted in `SignInAttempt` rows.
"""
