"""Printing: badges, round cards and table sheets as PDF, their QR codes, and the background print files."""
