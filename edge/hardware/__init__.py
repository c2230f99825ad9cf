"""Device Protocols (camera, serial, GPIO) with a real and a fake backend each.

Real backends import their optional libraries lazily, inside the constructor, so the node
packages import on a laptop with no camera, GPIO or USB libraries installed.
"""
