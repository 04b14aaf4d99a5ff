"""Competencies: the framework, the proficiency scale, evidence and job profiles."""
