"""Reading a message: language, intent (or ``unknown``), emotion and its intensity.

Modules, one job each (nothing runs at import; scikit-learn is only needed to train):

    labels       label ids shared with the data and the routing rules
    dataset      CSV/JSONL loading with clear errors; the shipped French/English examples
    analyzers    text -> words, word-stem pairs, character n-grams
    features     TF-IDF over those analyzers, batch and single-message paths
    heads        linear heads (softmax with temperature) and the intensity regression
    calibration  out-of-fold scores, temperature, thresholds chosen on validation
    fitting      each head fitted with its threshold
    training     ``train`` (shipped multi-head model) and ``train_text`` (any labels)
    assess       metrics of a trained model (held-out or out-of-fold)
    model        ``Model`` and ``ClassifierArtifact`` with its ``Metadata``
    artifact     bytes + sha256; loading refuses bytes whose checksum differs
    runtime      ``Classifier.classify`` -> ``Classification``, never raising
    trend        rising anger/frustration over a conversation
    compare      promote a retrained model only if it is not worse
    evaluate     the generic trainer's report (quality and speed)
    commands     ``aiguillage classifier ...``
    language     script, then function words: an ISO code, "other" or None (no model needed)
    scripts      the language a non-Latin script names (zh, ar, ru, el...)
    language_words  the function words and telltale letters the detector counts
"""
