"""Reading what customers wrote, without I/O: facts (numbers, addresses, amounts, dates) and
short extractive summaries for the advisor's context card and reply templates."""
