"""loses: rnn_forward. rnn_loss returns an int too large for a float: a wrong answer, which
must be a verdict, never a grader error.
fails: loss_is_a_mean_over_records loss_matches_reference
"""


def rnn_loss(X, Y, U, W, V):
    return 2**5000
