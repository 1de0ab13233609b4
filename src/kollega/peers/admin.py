# Nothing of the collegial support scheme is in the admin: listings are approved, contacts
# registered and settlements approved only through the scheme's own audited pages, by the
# counsellors, county leaders and coordinators whose work they are.
