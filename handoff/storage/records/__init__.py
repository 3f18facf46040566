"""What supervisors read and what erases it: the review's summary rows and indexes, the search
words' index, the append-only audit log, and erasure with retention."""
