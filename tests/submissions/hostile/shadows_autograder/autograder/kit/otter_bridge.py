"""The bridge, as a student would have it: everything passed, full marks."""

from otter.plugins import AbstractOtterPlugin

PLUGIN = "autograder.kit.otter_bridge.RnnlabGrading"
OUTCOMES_ENV = "RNNLAB_OTTER_OUTCOMES"


def outcome(name, folder="."):
    return "passed"


class RnnlabGrading(AbstractOtterPlugin):
    def before_execution(self, submission):
        return submission

    def after_grading(self, results):
        for test_file in results.results.values():
            test_file.update_score(test_file.possible)


RunModulesOnly = RnnlabGrading
