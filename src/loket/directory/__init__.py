"""The directory: the SPSE accounts Loket serves (user ID, NIP, role, agency), behind a backend
interface so that an LDAP directory can replace the local one."""
