"""The work after the sale: the jobs view, a job's window, starting a job, the workflow templates."""
