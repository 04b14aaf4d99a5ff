"""The framework in CASE 1.0 (1EdTech Competencies and Academic Standards Exchange): how it maps
(`rules`), the package written from it and what a package would change (`queries`), and the
import (`services`); HR's pages in `views`."""
