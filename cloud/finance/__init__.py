"""Finance: revenue entries per sale, expenses; settlement reads them with Z reports."""
