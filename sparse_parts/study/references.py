"""The works the study reproduces and measures against, each checked against its source.

Written into ``results.md`` and ``front.md``, and cited by the README and the user
guide. The report's title, date and supervisors are those of its title page, in the
author's repository; the ISMM paper's from its HAL deposit (hal-02071470) and arXiv
(1904.00763); Hoyer's from JMLR; the NCAE and NNSAE articles from the report's own
reference list, and their numbers from the author's notebooks named below.
"""

__all__ = ["REPORT_REPOSITORY", "REFERENCES", "markdown_references"]

#: The author's public repository, which holds the report, its code and notebooks.
REPORT_REPOSITORY = "https://github.com/PonchonB/Mathematical_Morphologies_And_Deep_Learning"

#: Key -> the reference in Markdown.
REFERENCES = {
    "report": (
        "B. Ponchon, *Morphological Multi-scale Decompositions and efficient representations "
        "with Auto-Encoders*, internship report, April-September 2018, supervised by J. "
        "Angulo, S. Velasco-Forero, S. Blusseau and I. Bloch, hosted by the Center for "
        "Mathematical Morphology (MINES ParisTech); "
        f"`Livrables/28_09_01_Rapport/PONCHON_Bastien_report_2018.pdf` in {REPORT_REPOSITORY} "
        "(\"the report\"; its Tables 1 and 2 are the rows of `sparse-parts compare`)."),
    "ismm2019": (
        "B. Ponchon, S. Velasco-Forero, S. Blusseau, J. Angulo and I. Bloch, \"Part-based "
        "approximations for morphological operators using asymmetric auto-encoders\", "
        "International Symposium on Mathematical Morphology (ISMM), Saarbrücken, July 2019; "
        "HAL hal-02071470, arXiv:1904.00763."),
    "hoyer2004": (
        "P. O. Hoyer, \"Non-negative matrix factorization with sparseness constraints\", "
        "Journal of Machine Learning Research 5:1457-1469, 2004 (the sparse NMF and the "
        "Hoyer sparsity measure)."),
    "ncae": (
        "E. Hosseini-Asl, J. M. Zurada and O. Nasraoui, \"Deep learning of part-based "
        "representation of data using sparse autoencoders with nonnegativity constraints\", "
        "IEEE Transactions on Neural Networks and Learning Systems 27(12):2486-2498, 2016, "
        "doi:10.1109/TNNLS.2015.2479223 (the NCAE reference point: the report's author's "
        "run, `Notebooks/19_01_02_NCAE_on_Fashion_MNIST.ipynb` in his repository)."),
    "nnsae": (
        "A. Lemme, R. F. Reinhart and J. J. Steil, \"Online learning and generalization of "
        "parts-based image representations by non-negative sparse autoencoders\", Neural "
        "Networks 33:194-203, 2012 (the NNSAE reference point: the report's author's run, "
        "`Notebooks/18_11_07_NNSAE_on_FashionMNIST.ipynb` in his repository)."),
}


def markdown_references(keys=tuple(REFERENCES)):
    """A ``## References`` section of ``keys``, as Markdown lines."""
    return ["## References", ""] + [f"- {REFERENCES[key]}" for key in keys] + [""]
