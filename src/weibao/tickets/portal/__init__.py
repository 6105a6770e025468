"""The client portal's pages: a client's requests, replies, procedure steps and ratings.

Every page looks the request up through the scoped selectors first, so another
client's request is a 404 like a missing one. Everyone of a client sees all of the
client's requests (a client's staff share their requests, and isolation is per
client); only the proposer or a leader may withdraw one, and only a leader signs off.
Vendor staff who open a portal address are sent to the staff page of the same thing.
"""
