"""The cube's artefacts: the loader of the definition files (artefacts/*.yaml)
and how stored values are written as text."""
