"""Data files for other tools: analysis results as CSV and XLSX tables (``analysis_tables``), the graph
as GraphML, GEXF and secgraph's own JSON (``graph_files``). Drawings and documents are in ``secgraph.viz``."""
