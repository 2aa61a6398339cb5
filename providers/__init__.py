"""Provider plug-ins: sources (Dicker Data) and targets (ConnectWise, Autotask).

Found through the `ncesync.providers` entry-point group, so a third party can add one.
"""
