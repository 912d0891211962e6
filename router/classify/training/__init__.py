"""Training and evaluating classifiers: data sets, fitting, figures, comparison (scikit-learn)."""
