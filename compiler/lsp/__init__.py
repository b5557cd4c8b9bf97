"""lsp: the language server, `song lsp` — LSP requests over stdio -> calls of parse/resolve/check/fmt.

A thin adapter over the compiler (no second parser, no copy of a rule), one module per feature:

    server       the pygls LanguageServer: which request goes to which module; debounced diagnostics
    documents    an open document's analysis (`pipeline.analyse`), kept per version
    positions    spans (1-based, code points) <-> LSP positions (0-based, UTF-16 code units)
    names        every name a song writes (sections, melodies, patterns, styles, tracks, instruments)
    diagnostics  `errors.Diagnostic` -> LSP diagnostics with codes, help and a link to the code's entry
    completion   keywords, styles, instruments, patterns, sections, marks, chord qualities
    hover        chord tones and degree (`harmony`), styles, instruments, tracks, sections
    navigation   definition and references, into `use`d files and the stdlib
    rename       a name the document defines, everywhere it is named
    styles       the styles a document may name, described and resolved
    actions      quick fixes for diagnostics with one fix
    tokens       semantic tokens
    formatting   `song fmt` as one whole-document edit
    symbols      document symbols and folding ranges from the syntax tree

pygls is an optional dependency (`pip install 'songspec[lsp]'`); only `song lsp` imports this package.
"""
