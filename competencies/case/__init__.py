"""The framework in CASE 1.0 (1EdTech Competencies and Academic Standards Exchange): how it maps
and the package written from it (`rules`), a package read into what it can hold (`reading`),
the package of the framework and what an import would change (`queries`), the import
(`services`); HR's pages in `views`."""
