"""The RNN lab's hidden tests: one module per question, never shipped to students."""
