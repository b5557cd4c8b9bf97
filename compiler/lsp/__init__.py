"""lsp: the language server, `song lsp` — LSP requests over stdio -> calls of parse/resolve/check/fmt.

A thin adapter over the compiler (no second parser, no copy of a rule), one module per feature:

    server       the pygls LanguageServer: which request goes to which module
    documents    an open document's analysis (`pipeline.analyse`), kept per version
    positions    spans (1-based, code points) <-> LSP ranges (0-based, UTF-16 code units)
    diagnostics  `errors.Diagnostic` -> LSP diagnostics with codes, help and a link to the code's entry
    formatting   `song fmt` as one whole-document edit
    symbols      document symbols and folding ranges from the syntax tree

pygls is an optional dependency (`pip install 'songspec[lsp]'`); nothing else imports this package.
"""
