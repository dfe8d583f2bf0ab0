#1783758756
journalctl -u nginx --since today
#1783758833
uptime
#1783769078
systemctl status app
#1783769083
tail -n 50 /var/log/syslog
#1783782811
ls -la /srv
#1783782846
df -h
#1783788038
journalctl -u nginx --since today
#1783788129
free -m
#1783804522
df -h
#1783804563
systemctl status app
#1783820408
journalctl -u nginx --since today
#1783820469
free -m
#1783821006
ls -la /srv
#1783821018
df -h
#1783836979
systemctl status app
#1783837009
df -h
#1783850261
tail -n 50 /var/log/syslog
#1783850274
free -m
#1783860623
uptime
#1783860702
systemctl status app
#1783871927
df -h
#1783871959
uptime
#1783884304
ls -la /srv
#1783884406
uptime
#1783885668
free -m
#1783885697
journalctl -u nginx --since today
#1783949793
df -h
#1783949825
journalctl -u nginx --since today
#1783952097
systemctl status app
#1783952175
uptime
#1783991033
uptime
#1783991074
systemctl status app
#1784028697
tail -n 50 /var/log/syslog
#1784028765
systemctl status app
#1784040054
uptime
#1784040092
ls -la /srv
#1784046698
uptime
#1784046739
systemctl status app
#1784055312
journalctl -u nginx --since today
#1784055431
uptime
#1784060934
journalctl -u nginx --since today
#1784060947
free -m
#1784064213
systemctl status app
#1784064302
ls -la /srv
