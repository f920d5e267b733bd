"""A skorch callback drawing one progress bar over the epochs of a fit.

skorch's own ``ProgressBar`` draws a bar over the batches of every epoch; a run that
trains many models one after another (``sparse-parts compare``) wants one line per
model that advances once per epoch and shows the training loss.
"""

from skorch.callbacks import Callback
from tqdm.auto import tqdm

__all__ = ["EpochProgressBar"]


class EpochProgressBar(Callback):
    """One tqdm bar over the epochs of a fit, with the last training loss beside it.

    Pass it in the ``callbacks`` of an auto-encoder. The bar is closed and dropped at
    the end of training (also when training is cut short), so a fitted model holding
    this callback stays picklable.

    Parameters
    ----------
    total : int, default=None
        The number of epochs the bar counts to (the estimator's ``max_epochs``);
        None draws a counter without an end.
    description : str, default=None
        The text in front of the bar.

    Examples
    --------
    >>> from sparse_parts.autoencoders import EpochProgressBar, SparseNonNegAutoEncoder
    >>> model = SparseNonNegAutoEncoder(
    ...     16, max_epochs=5, callbacks=[EpochProgressBar(5, "shallow AE")])
    """

    def __init__(self, total=None, description=None):
        self.total = total
        self.description = description

    def on_train_begin(self, net, **kwargs):
        """Open the bar."""
        self.bar_ = tqdm(total=self.total, desc=self.description, unit="epoch",
                         leave=False)

    def on_epoch_end(self, net, **kwargs):
        """Advance the bar by one epoch and show the epoch's training loss."""
        loss = net.history[-1].get("train_loss")
        self.bar_.update(1)
        if loss is not None:
            self.bar_.set_postfix(loss=f"{loss:.4g}")

    def on_train_end(self, net, **kwargs):
        """Close the bar and drop it: a tqdm bar does not pickle."""
        bar = self.__dict__.pop("bar_", None)
        if bar is not None:
            bar.close()
