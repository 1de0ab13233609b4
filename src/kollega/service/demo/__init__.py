"""A believable synthetic service: counsellors across Norway, requests in every state, offerings.

Every name, employer and sentence here is invented for the demo. Loading twice changes nothing.
`load` (in `loader`) puts it all in place; the people (`people`), the places (`places`) and
the requests (`requests`) each have a module.
"""

from kollega.service.demo.loader import load

__all__ = ["load"]
