// Is the server answering?
RETURN 1 AS ok
