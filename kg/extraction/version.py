"""The version of the rules and lexicons, stamped on every extracted assertion."""

VERSION = "0.3.22"  # bump when a rule or lexicon changes what is extracted
METHOD_VERSION = f"rules@{VERSION}"
